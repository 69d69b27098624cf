"""placeholder"""
import typer

governance_app = typer.Typer(help="Governance.", no_args_is_help=True)
