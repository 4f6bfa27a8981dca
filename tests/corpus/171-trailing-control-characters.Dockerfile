FROM alpine
RUN echo unit separator
RUN echo nel at end
