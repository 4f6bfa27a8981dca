FROM golang:1.22 AS build
WORKDIR /src
COPY <<EOF main.go
package main

import "fmt"

func main() { fmt.Println("hi") }
EOF
RUN go build -o /out/app main.go

FROM gcr.io/distroless/static
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
