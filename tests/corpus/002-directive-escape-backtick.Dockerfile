# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN dir C:\ `
    && echo done
WORKDIR C:\Users\app
