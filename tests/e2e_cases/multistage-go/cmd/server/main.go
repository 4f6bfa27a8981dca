// A tiny service stand-in: prints where it would listen and exits.
// It imports net, so a build with cgo enabled links the C library dynamically.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	addr := net.JoinHostPort("", "8080")
	fmt.Printf("hello from go, would listen on %s as uid %d\n", addr, os.Getuid())
}
