# syntax=docker/dockerfile:1.6
FROM rust:1.77-slim AS chef
RUN cargo install cargo-chef
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/app/target,sharing=locked \
    cargo build --release && cp target/release/app /usr/local/bin/app

FROM debian:bookworm-slim AS runtime
RUN useradd --system --uid 10001 --no-create-home app
COPY --from=builder --chown=app:app /usr/local/bin/app /usr/local/bin/app
USER 10001
ENTRYPOINT ["/usr/local/bin/app"]
