FROM python:3.12
RUN <<EOF echo ${PYTHON_VERSION%%[a-z]*}
RUN <<EOF echo ${PATH/usr/opt}
RUN echo after
