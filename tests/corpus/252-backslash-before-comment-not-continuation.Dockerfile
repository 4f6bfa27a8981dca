FROM alpine
RUN echo a \ # comment
RUN echo b
