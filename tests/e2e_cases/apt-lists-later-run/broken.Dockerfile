FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends hello \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get install -y --no-install-recommends jq
RUN useradd --uid 10001 --create-home app
USER 10001
CMD ["sh", "-c", "hello && jq --version"]
