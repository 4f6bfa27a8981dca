FROM alpine
RUN echo a b c
RUN echo nelhere
RUN echo fsgsrsus
LABEL k="v w"
ENV SEP="x y"
