FROM alpine
COPY --link
RUN --network=none
