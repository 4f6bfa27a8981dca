FROM alpine
RUN <<EOF echo 'unbalanced
RUN <<EOF echo "unbalanced
RUN echo after
