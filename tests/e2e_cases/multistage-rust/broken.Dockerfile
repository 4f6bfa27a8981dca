# A naive split onto a static image: the binary links glibc and libgcc_s dynamically (the gnu target's
# default), and distroless static has neither a C library nor the dynamic loader.
FROM rust:1-bookworm AS build
ENV CARGO_NET_OFFLINE=true
WORKDIR /usr/src/hello
COPY Cargo.toml ./
COPY src ./src
RUN cargo build --release

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /usr/src/hello
COPY --from=build /usr/src/hello/target/release/hello /usr/src/hello/target/release/hello
CMD ["./target/release/hello"]
