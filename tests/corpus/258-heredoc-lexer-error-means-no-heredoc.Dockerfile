FROM alpine
RUN echo "unterminated <<EOF
RUN echo 'it's' <<EOF
RUN echo after
