FROM alpine
RUN ["sh", "-c", "cat <<EOF"]
COPY ["<<EOF", "/x"]
RUN echo after
