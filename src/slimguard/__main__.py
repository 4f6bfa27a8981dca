from slimguard.cli.main import main

main()
