FROM alpine
RUN echo '#1' && echo "# two" # three
LABEL color=#ff0000
ENV HASH=#value
