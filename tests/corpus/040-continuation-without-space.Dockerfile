FROM alpine
RUN echo con\
catenated
