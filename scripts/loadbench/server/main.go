// Command server is the local stand-in for the Retail API that scripts/loadbench/run loads:
// /health answers a small JSON body. It listens on loopback only and prints its address.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr().String())
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	log.Fatal(http.Serve(ln, nil)) //nolint:gosec // a loopback benchmark server needs no timeouts
}
