"""Requests service: 依申请公开 applications, deadlines, decisions, annual report."""
