// Command hello is built by the gobinary tests with -ldflags=-s -w to check
// that a stripped Go binary is still recognised.
package main

func main() { println("hello") }
