"""Spreadsheets: import enterprises, stations and listings from .xlsx/.csv, export them back."""
