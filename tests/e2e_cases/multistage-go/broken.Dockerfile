# A naive split: the same build without CGO_ENABLED=0 links the C library dynamically (the program imports
# net), and the distroless static image has no C library or dynamic loader.
FROM golang:1.22 AS build
ENV GOPROXY=off
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /src
COPY --from=build /app /app
EXPOSE 8080
CMD ["/app"]
