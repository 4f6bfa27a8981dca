FROM alpine
RUN --network=none -- echo --not-a-flag
RUN -- --version
COPY -- --weird-file /x
