FROM alpine
RUN --mount="type=bind,source=a b,target=/x" cat /x
RUN --mount='type=secret,id=my secret' cat /run/secrets/x
RUN --label=a"b c"d echo mid-word quotes
COPY --chown="" a b
