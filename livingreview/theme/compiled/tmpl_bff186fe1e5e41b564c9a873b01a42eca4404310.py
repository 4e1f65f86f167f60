from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'references.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'references.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    pass
    yield 'References · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_url = resolve('url')
    l_0_entries = resolve('entries')
    pass
    yield '<h1>References</h1>\n<p>Works cited in the pages of this review. The included studies are listed in the <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'studies/index.html', _block_vars=_block_vars))
    yield '">study table</a>.</p>\n<ul class="references">\n'
    for (l_1_key, l_1_html) in (undefined(name='entries') if l_0_entries is missing else l_0_entries):
        _loop_vars = {}
        pass
        yield '  <li id="'
        yield escape(l_1_key)
        yield '">'
        yield escape(l_1_html)
        yield '</li>\n'
    l_1_key = l_1_html = missing
    yield '</ul>\n'

blocks = {'title': block_title, 'main': block_main}
debug_info = '1=12&2=17&3=29&5=40&7=42&8=46'