FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY a.txt C:\dest\
RUN echo joined
