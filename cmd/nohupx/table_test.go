package main

import (
	"slices"
	"testing"

	"github.com/nohupx/nohupx/nohupx"
)

// TestLinkNames: nohupx --install-links creates a link for every applet.
func TestLinkNames(t *testing.T) {
	var table []string
	for _, a := range applets {
		table = append(table, a.name)
	}
	links := append(append([]string{"nohupx"}, nohupx.LinkNames...), nohupx.DropInNames...)
	slices.Sort(table)
	slices.Sort(links)
	if !slices.Equal(table, links) {
		t.Errorf("applets %q; --install-links knows %q", table, links)
	}
}
