FROM alpine
ENV A b c
ENV PATH /usr/local/bin:$PATH
ENV QUOTED "b c"
ENV SPACED    lots   of   space   
