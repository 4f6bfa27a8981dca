FROM alpine
ONBUILD RUN ["<<EOF"]
ONBUILD ONBUILD RUN <<EOF
RUN echo not a heredoc body
