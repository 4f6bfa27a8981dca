FROM alpine
RUN cat << EOF
RUN cat <<- EOF
RUN echo after
