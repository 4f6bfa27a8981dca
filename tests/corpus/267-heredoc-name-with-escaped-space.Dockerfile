FROM alpine
RUN <<EO\ F
x
EO F
