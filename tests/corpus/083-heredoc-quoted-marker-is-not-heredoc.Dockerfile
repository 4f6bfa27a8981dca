FROM alpine
RUN echo "<<EOF" '<<END'
RUN echo after
