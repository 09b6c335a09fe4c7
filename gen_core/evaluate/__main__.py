from gen_core.evaluate.cli import main

main()
