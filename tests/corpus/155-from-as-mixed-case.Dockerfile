FROM golang:1.22 As Builder
RUN go version
from alpine as final
COPY --from=Builder /usr/local/go/bin/go /go
FROM alpine AS
