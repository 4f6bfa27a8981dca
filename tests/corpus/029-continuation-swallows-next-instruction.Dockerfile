FROM alpine
RUN echo a \
# the next line is still part of this RUN
RUN echo b
