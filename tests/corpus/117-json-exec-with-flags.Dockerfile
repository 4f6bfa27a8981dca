FROM alpine
RUN --network=none ["echo", "isolated"]
COPY --chown=1000:1000 ["a b", "/c d/"]
