# A naive split: the binary and PATH are right, but the build keeps cgo on; the program imports net, so it is
# linked dynamically against the C library, which distroless static does not have.
FROM golang:1.22 AS build
ENV GOPROXY=off
WORKDIR /src
COPY go.mod ./
COPY cmd/ ./cmd/
RUN go install ./...

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /go/bin/hello /go/bin/hello
ENV PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["hello"]
