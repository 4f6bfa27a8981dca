FROM debian:bookworm-slim
COPY warm-cache.sh /usr/local/bin/warm-cache
RUN groupadd --system --gid 10001 app && \
    useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
USER 10001:10001
CMD ["sh", "/usr/local/bin/warm-cache"]
