// Prints a greeting; installed with `go install ./...` into $GOPATH/bin and started by name.
package main

import (
	"fmt"
	"net"
)

func main() {
	fmt.Println("hello from go install, resolving", net.JoinHostPort("localhost", "80"))
}
