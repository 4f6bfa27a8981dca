FROM alpine
RUN --mount=type=cache,target=/càche echo
COPY --chown=Åse a b
