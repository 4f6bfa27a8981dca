FROM alpine
RUN --x="a b   
RUN --mount="type=cache \
    ,target=/x   
RUN echo after
