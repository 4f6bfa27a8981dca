FROM alpine
RUN cat <<<"hello"
RUN echo after
