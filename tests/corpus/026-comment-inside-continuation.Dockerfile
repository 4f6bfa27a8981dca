FROM debian:bookworm
RUN apt-get update \
# install curl
 && apt-get install -y --no-install-recommends curl \
    # clean up
 && rm -rf /var/lib/apt/lists/*
