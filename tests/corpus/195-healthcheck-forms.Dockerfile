FROM nginx
HEALTHCHECK NONE
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
HEALTHCHECK --start-interval=1s CMD-SHELL true
healthcheck cmd wget -qO- localhost
HEALTHCHECK CMD
HEALTHCHECK
