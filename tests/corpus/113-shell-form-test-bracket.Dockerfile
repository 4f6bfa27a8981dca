FROM alpine
RUN [ -f /etc/os-release ] && cat /etc/os-release
CMD [ "$MODE" = prod ] && exec app
