FROM debian:bookworm-slim
WORKDIR /app
RUN mkdir -p /app/data
COPY settings.conf ./
RUN groupadd --system --gid 10001 app && \
    useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
USER 10001:10001
CMD ["sh", "-c", "date > /app/data/started && echo level=debug >> /app/settings.conf && cat /app/settings.conf && echo data-written"]
