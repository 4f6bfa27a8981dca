FROM alpine
RUN -x
COPY -a b c
RUN - --x
