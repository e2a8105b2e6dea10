% rebase('base.tpl', title=_('Getting started'))
<h1>{{_("Getting started")}}</h1>
<p class="hint">{{_("A fresh box calls nobody until it has rates and an account. Take these steps in order: each turns to done by itself once the box has what it needs. This page is the admin's first page until the box has rates and an account.")}}</p>
% include('start_steps.tpl')
<script src="/static/start.js"></script>
