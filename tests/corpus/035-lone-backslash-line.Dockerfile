FROM alpine
\
RUN echo after a lone backslash
