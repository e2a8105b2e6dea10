% rebase('base.tpl', title='SMS commands')
<h1>SMS commands</h1>
<p>Text one of these to the box's number. Words are not case-sensitive; any word of a line's
list works. Your account is number {{account.number}}, name {{account.name}}.</p>
% if empty_is_callback:
<p>An empty SMS is a callback too.</p>
% end
<div class="scroll">
<table id="sms-commands">
<thead><tr><th>Write</th><th>What it does</th><th>Words</th></tr></thead>
<tbody>
% for row in commands:
<tr><td><code>{{row['usage']}}</code></td><td>{{row['meaning']}}</td><td>{{', '.join(row['words'])}}</td></tr>
% end
</tbody>
</table>
</div>
<h2>What the box texts back to a help request</h2>
<p class="card" id="help-text">{{help_text}}</p>
