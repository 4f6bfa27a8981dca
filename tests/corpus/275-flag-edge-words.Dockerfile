FROM alpine
RUN --
RUN --x="a b"c d
RUN --x="unterminated
