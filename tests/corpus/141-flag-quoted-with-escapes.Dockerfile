FROM alpine
RUN --mount="type=bind,source=\"q\",target=/x" true
RUN --mount='it\'s' true
