FROM alpine
RUN --mount=type=bind,source=a\ b,target=/x ls /x
COPY --chown=a\:b x y
