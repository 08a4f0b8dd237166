package setsid_test

import (
	"os"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }
