# escape=`
# syntax=docker/dockerfile:1
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY app C:\app\
RUN echo a `
    b
